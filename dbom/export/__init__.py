"""A DBOM in the other formats that dataset metadata is published in: SPDX 3.0.1 and Croissant (`dbom export`)."""
