"""TablesDB (`/v1/tablesdb/…`) and the legacy Databases API (`/v1/databases/…`) over one storage:
`routes` (the router) → `responses` (HTTP in, JSON out) → `schema`/`rows` (the models) → `catalog` (metadata)."""
