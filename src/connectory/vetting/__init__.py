"""Vetting and publishing: what a reviewer runs, reads and decides before a version is published.

    checks      the acceptance checks of a version (``run_checks``)
    xsd         the full XSD compile and round trip of a SOAP version (a check, off the fast path)
    queue       the review queue and a draft compared with what it follows (pandas, for notebooks)
    publishing  publishing under the policy, as functions of a catalogue (``publish``, ``check_publish``)

The policy itself runs inside the store's one publish path (``connectory.catalog.policy``).
Nothing here is imported by ``import connectory.vetting``: pandas and xmlschema load when used.
"""
