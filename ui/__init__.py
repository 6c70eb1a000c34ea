"""What the atlas pages share: cached data, the sidebar and its URL-bound filters, widgets."""
