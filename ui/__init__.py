"""What the pages share: showing text safely, cached data, the sidebar filters."""
