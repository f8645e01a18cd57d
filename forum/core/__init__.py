"""What every domain shares: base model, time, enums, Markdown, errors, audit."""
