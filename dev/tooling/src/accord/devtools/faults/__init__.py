"""The fault campaign: events through the real pipeline while a seeded schedule of faults hits it
(bench/fault_campaign.py runs it; tests/test_the_fault_campaign.py runs a short one)."""
