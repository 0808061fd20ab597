"""Support for tests and demos, never part of the app (kept out of the Docker image):
a local imitation of the Google Sheets API (`make demo-sheets`)."""
