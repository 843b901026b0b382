"""Rehearse server: the command line, and later the web application."""
