"""The notifications app's API: a person's in-app notifications."""
