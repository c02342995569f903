"""`timeline import`: any format's records into the database, in one transaction,
streaming (`pipeline`). A format's reader (`formats/`) turns its input into
interchange records; `staging` writes them, in batches, into TEMP staging tables;
`merge` then does, in the database and set-based, everything that needs the whole
input, and the upserts by slug. Python holds one batch at a time, whatever the size.
"""
