"""Numbers a viewer can trust: the ledger of every number shown, the sources that name where
each comes from, an independent loop reference implementation, and the check that
recomputes every entry; also the numbers a voice says.

May import every folder of ``attention``.
"""
