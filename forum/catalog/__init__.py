"""The commitments catalog: what each operations team can deliver today."""
