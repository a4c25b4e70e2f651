"""Goalpost's domain library: everything a page shows is computed here.

This package never imports streamlit.
"""
