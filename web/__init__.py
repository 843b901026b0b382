"""Jinja2 templates and static assets, shipped as package data."""
