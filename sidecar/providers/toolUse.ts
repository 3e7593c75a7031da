/**
 * What a vendor bills for a call that carries function tools beyond the tools' definitions: Anthropic adds a
 * tool-use system prompt of its own (its tool-use pricing page, 2026: 346 tokens with tool_choice auto on Claude 4.x
 * and Sonnet 3.7, 294 on Sonnet 3.5, 264 on the Haiku 3 models, 530 on Opus 3, 159 on Sonnet 3). OpenAI and Gemini
 * bill the definitions only.
 */
export function toolUseSystemTokens(billedBy: string, model: string): number {
  if (billedBy !== 'anthropic') return 0;
  if (/3[-.]5-sonnet|sonnet-3[-.]5/.test(model)) return 294;
  if (/haiku-3|3(-5)?-haiku/.test(model)) return 264;
  if (/3-opus|opus-3/.test(model)) return 530;
  if (/3-sonnet(?!-\d)|sonnet-3(?![-.]\d)/.test(model)) return 159;
  return 346;
}
