"""Rule-based and learned quality filters for multilingual web text."""
