"""Documents that grow with a meeting (the sign-in sheet, the summary, survey results), made
at once when they are small and prepared by background jobs when they are big: their progress
is shown on the Documents page, their files are kept in the storage (`meetapp.storage`) for
`MEETAPP_DOCUMENTS_KEEP_HOURS`, then removed. See docs/jobs.md.
"""
