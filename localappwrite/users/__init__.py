"""Users (`/v1/users`, server side): `routes` → `responses` → `models`."""
