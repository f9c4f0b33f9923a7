"""The account of the signed-in user (`/v1/account`): `routes` → `responses` (and `cookies`) → `models`."""
