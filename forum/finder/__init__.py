"""The search page: the engine's hits joined to the posts and fixes a viewer may see."""
