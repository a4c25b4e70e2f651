"""Sources the Data page reads from besides an uploaded file."""
