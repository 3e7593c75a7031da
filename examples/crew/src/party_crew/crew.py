from crewai import Agent, Crew, Process, Task
from crewai.project import CrewBase, agent, crew, task

from party_crew.tools.venue_search import VenueSearchTool


@CrewBase
class PartyCrew:
    """Plans a party abroad: theme, venue, menu, then the plan."""

    agents_config = 'config/agents.yaml'
    tasks_config = 'config/tasks.yaml'

    @agent
    def planner(self) -> Agent:
        return Agent(config=self.agents_config['planner'])

    @agent
    def venue_scout(self) -> Agent:
        return Agent(config=self.agents_config['venue_scout'], tools=[VenueSearchTool()])

    @agent
    def caterer(self) -> Agent:
        return Agent(config=self.agents_config['caterer'])

    @agent
    def coordinator(self) -> Agent:
        return Agent(config=self.agents_config['coordinator'])

    @task
    def theme_task(self) -> Task:
        return Task(config=self.tasks_config['theme_task'])

    @task
    def venue_task(self) -> Task:
        return Task(config=self.tasks_config['venue_task'])

    @task
    def menu_task(self) -> Task:
        return Task(config=self.tasks_config['menu_task'])

    @task
    def plan_task(self) -> Task:
        return Task(config=self.tasks_config['plan_task'])

    @crew
    def crew(self) -> Crew:
        return Crew(agents=self.agents, tasks=self.tasks, process=Process.sequential)
