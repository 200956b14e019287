"""Task graph, scheduler, journal and cache: from a spec to files, in parallel where possible."""
