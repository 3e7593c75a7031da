#!/usr/bin/env python
# The crew's entry point, as `crewai create crew` writes it: the inputs fill the {placeholders} of the YAML files.
from party_crew.crew import PartyCrew


def run():
    inputs = {
        'destination': 'Lisbon',
        'guests': '40',
    }
    PartyCrew().crew().kickoff(inputs=inputs)
