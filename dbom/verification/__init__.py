"""Checking data against a DBOM (`dbom verify`)."""
