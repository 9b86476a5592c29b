"""Identity and permission: who the caller is (tokens) and what they may do (policy)."""
