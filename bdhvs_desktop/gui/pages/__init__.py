"""gui/pages layer."""
