"""Messages from organisers to a filtered set of a meeting's participants."""
