"""After the fix: the customer is told, and lost deals are won back (follow-ups)."""
