"""`concordat demo`: a deterministic generator of realistic synthetic demo data.

It writes the four record-level sources (s136, custody, triage, placements) in the formats of the data
contracts, a synthetic NHS Digital file, the list of interventions it planted (with their true effects) and a
manifest. Modules, one job each:

- ``calibration``  the published national picture the data are tuned to (volumes and category shares by year)
- ``sampling``     low-variance random draws (national totals stay on target) and the bad-row quota
- ``plan``         which forces, years and interventions a run covers; expected monthly volumes
- ``people``       person and officer pools (repeat detentions; officer ids shared across sources)
- ``placements``   the officer placement scheme schedule (Sheffield model)
- ``records``      one force-year chunk of s136 detentions, and what derives from them:
- ``triage``       street-triage contacts (some leading to a detention) and ``custody`` episodes
- ``state``        what those share (a force's pools; a force-year's detentions); ``values`` cell formatting
- ``effects``      the true effect of each planted intervention, by the shared definition
- ``badrows``      deliberately bad rows, so the demo exercises the quarantine path
- ``writers``      streaming CSV and a byte-reproducible XLSX
- ``nhs``          the synthetic NHS Digital Mental Health Act Statistics file
- ``generator``    the orchestration; ``command`` the CLI entry point; ``files`` the names of the files
"""
