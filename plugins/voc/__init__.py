"""Voice-of-the-Customer quality platform."""
