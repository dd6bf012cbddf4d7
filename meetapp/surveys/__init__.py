"""Post-meeting surveys: the builder, personal invitations, the answer page, results, exports."""
