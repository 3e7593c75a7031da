from typing import Type

from crewai.tools import BaseTool
from pydantic import BaseModel, Field


class VenueSearchInput(BaseModel):
    """Input schema for VenueSearchTool."""

    city: str = Field(..., description="The city to search in.")
    guests: int = Field(..., description="How many guests the venue must hold.")
    date: str = Field(..., description="The party's date, YYYY-MM-DD.")


class VenueSearchTool(BaseTool):
    name: str = "venue_search"
    description: str = (
        "Searches event venues by city, capacity and date; returns name, capacity and price per head."
    )
    args_schema: Type[BaseModel] = VenueSearchInput

    def _run(self, city: str, guests: int, date: str) -> str:
        return f"No venues found in {city} for {guests} guests on {date} (example tool)."
