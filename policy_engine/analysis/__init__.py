"""Questions about whole accounts: resolve principals and resources against a snapshot,
then ask the one `evaluate()`. Nothing here decides access itself."""
