"""Compliance: check a DBOM against OSAID and the EU template, report it for people, draft a manifest (`init`)."""
