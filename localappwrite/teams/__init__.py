"""Teams and memberships (`/v1/teams`, and a user's memberships under `/v1/users`): `routes` → `responses` →
`models`."""
