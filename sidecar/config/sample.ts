/** The party-planner sample that `partycost init` and "Party Cost: Create Sample Configuration" write. */
export const sampleConfig = `{
  // Party Cost Inspector: the agents of a party planner, their models, prompts and dependencies.
  // Field reference: see the README, or hover a field in VS Code.
  "defaults": { "model": "gpt-4o-mini", "provider": "offline" },

  // Spend limits in USD, checked against the ledger of every agent execution.
  "limits": { "daily": 5, "weekly": 25, "monthly": 80, "thresholds": [0.5, 0.8, 0.9, 1.0] },

  // Monthly projection: parties per month, times runs per party (edits re-run parts of a plan).
  "volume": { "partiesPerMonth": 1000, "rerunFactor": 1.5 },

  "agents": {
    "theme": {
      "system": "You are a party theme designer. Answer in three short bullet points.",
      "prompt": "Suggest a party theme, colours and decorations for: {{inputs}}",
      "expectedOutputTokens": 200,
      "contextBudget": 1000,
      "handles": {
        "keywords": ["theme"],
        "patterns": ["\\\\b(jungle|pirate|princess|space|superhero|unicorn|dinosaur|safari|ocean|circus)\\\\b"]
      },
      "cache": {
        "ttl": "7d",
        "normalize": { "words": ["jungle", "pirate", "princess", "space", "superhero", "unicorn", "dinosaur", "safari", "ocean", "circus"] }
      },
      "resources": { "cacheOps": 2 }
    },
    "venue": {
      "prompt": "Find a venue for the party. Guests and wishes: {{inputs}}. Theme: {{theme}}",
      "expectedOutputTokens": 250,
      "contextBudget": 1500,
      "dependsOn": ["theme"],
      "handles": { "keywords": ["venue", "location", "hall", "garden", "park"], "numbers": ["guests", "people", "kids", "children"] },
      "cache": { "normalize": { "roundTo": 25 } },
      "resources": { "vectorQueries": 3, "cacheOps": 2, "sqlQueries": 1 }
    },
    "cake": {
      "prompt": "Design a cake. Wishes: {{inputs}}. Theme: {{theme}}",
      "expectedOutputTokens": 150,
      "contextBudget": 1000,
      "dependsOn": ["theme"],
      "handles": { "keywords": ["cake", "cupcakes", "dessert"] },
      "cache": { "normalize": { "words": ["chocolate", "vanilla", "strawberry", "lemon", "carrot"] } },
      "resources": { "cacheOps": 2 }
    },
    "catering": {
      "prompt": "Plan food and drinks for: {{inputs}}",
      "expectedOutputTokens": 300,
      "contextBudget": 1000,
      "handles": {
        "keywords": ["food", "catering", "menu", "snacks", "drinks", "vegan", "vegetarian"],
        "numbers": ["guests", "people", "kids", "children"]
      },
      "cache": { "normalize": { "roundTo": 25 } },
      "resources": { "vectorQueries": 2, "cacheOps": 2, "sqlQueries": 1 }
    },
    "vendor": {
      "prompt": "Book entertainment and vendors for: {{inputs}}. Theme: {{theme}}",
      "expectedOutputTokens": 200,
      "contextBudget": 1000,
      "dependsOn": ["theme"],
      "handles": { "keywords": ["balloon", "magician", "clown", "dj", "photographer", "artist", "entertainer", "vendor"] },
      "resources": { "vectorQueries": 2, "cacheOps": 2, "sqlQueries": 1 },
      "essential": false
    },
    "budget": {
      // A built-in function totals the upstream plans: no model, no tokens.
      "kind": "compute",
      "expectedOutputTokens": 120,
      "dependsOn": ["venue", "cake", "catering", "vendor"],
      "resources": { "computeSeconds": 0.05, "sqlQueries": 4, "cacheOps": 2 }
    },
    "planner_final": {
      "model": "gpt-4o",
      "system": "You are a party planner. Write a clear, friendly final plan with a timeline.",
      "prompt": "Write the final party plan from the budgeted plan: {{budget}}",
      "expectedOutputTokens": 700,
      "contextBudget": 4000,
      "dependsOn": ["budget"],
      "resources": { "cacheOps": 2, "sqlQueries": 1 }
    }
  }
}
`;
