"""Output formats. Each renders a scan Result as text; new ones come through the hook."""
