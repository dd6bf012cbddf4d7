"""Outcomes of a meeting (findings, concerns, recommendations, next steps) and its media
contacts: what the press release reports and whom journalists may call."""
