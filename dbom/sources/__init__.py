"""Sources: where a corpus lives. Walk local folders, select shards by glob, record `datasets` objects."""
