"""Field laptops: check out, sync, and the sync conflicts panel."""
