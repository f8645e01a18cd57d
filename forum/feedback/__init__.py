"""Posts (field feedback, win/loss, broken promises), comments, corroboration, attachments."""
