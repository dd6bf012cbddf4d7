"""The agenda capability: speakers, sessions, statements, the public agenda and its files."""
