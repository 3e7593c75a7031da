import type { PyExpr, PyPlace, PyScope } from '../python/pythonModel';
import { constantValue, resolveEnvironment, resolveName } from '../python/pythonValues';
import type { PyValue } from '../python/pythonValues';
import { modelSourceOf } from '../framework/frameworkAgents';

/**
 * An agent's model as CrewAI resolves its `llm` (crewAI `utilities/llm_utils.py` create_llm, `llm.py` LLM.__new__):
 * a string (LiteLLM's `provider/model` spelling), `LLM(model=…)` or a LangChain chat model (`model` / `model_name`),
 * a module-level variable, `os.getenv("X", "default")` read from the environment and the project's `.env` (which
 * `load_dotenv()` loads without overriding what is set), or a dict with `model`. A model served on this machine
 * (`ollama/…`, `lm_studio/…`, a localhost base_url) is local: it costs nothing. What a static reading cannot know is
 * a warning at the expression, and the agent is priced at the model CrewAI would fall back to.
 */

/** Where a model comes from, as an estimate row shows it. */
export interface ModelChoice {
  model: string;
  /** `crew.py:14`, `.env`, `agents.yaml:3`, `CrewAI default`, … */
  source: string;
  local: boolean;
  /** Where the model is named in the crew's files (a check of it points there). */
  at?: { file: string; offset: number; length: number };
}

/** A model that could not be read, where, and why. */
export interface ModelProblem {
  at: PyPlace;
  reason: string;
}

/** The environment a crew runs in: the process's variables, then the project's .env (named for model sources). */
export interface CrewEnvironment {
  get(name: string): string | undefined;
  /** Where a variable's value comes from: `.env` or `the environment`. */
  origin(name: string): string;
}

/** Constructors whose `model` (or `model_name`, or first argument) is the model, and those that run locally. */
const modelClasses = new Set([
  'LLM',
  'ChatOpenAI',
  'AzureChatOpenAI',
  'ChatAnthropic',
  'ChatGoogleGenerativeAI',
  'ChatVertexAI',
  'ChatGroq',
  'ChatMistralAI',
  'ChatLiteLLM',
]);
const localClasses = new Set(['Ollama', 'ChatOllama', 'OllamaLLM']);
/** LiteLLM provider prefixes of models served on this machine. */
const localPrefixes = /^(ollama|ollama_chat|lm_studio|llamafile|hosted_vllm|vllm)\//i;
const localAddress = /^https?:\/\/(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|host\.docker\.internal)(:\d+)?(\/|$)/i;

/** Whether a model (with the base URL it is given, if any) is served on this machine. */
export function isLocal(model: string, baseUrl?: string): boolean {
  return localPrefixes.test(model) || (baseUrl !== undefined && localAddress.test(baseUrl));
}

/**
 * The model an `llm=` expression names: the choice, or the problem that stops a static reading (`file` names the
 * place in sources, `line` where the expression stands).
 */
export function modelOf(expr: PyExpr, scopes: readonly PyScope[], env: CrewEnvironment, file: string): ModelChoice | ModelProblem {
  const resolved = resolveName(expr, scopes);
  const at = `${file}:${resolved.line}`;
  if (resolved.kind === 'call') {
    const className = resolved.name?.split('.').at(-1) ?? '';
    if (!modelClasses.has(className) && !localClasses.has(className))
      return { at: resolved, reason: `the model ${expr.text} makes cannot be known without running it` };
    const modelExpr = resolved.keywords.get('model') ?? resolved.keywords.get('model_name') ?? resolved.args[0];
    if (!modelExpr) return { at: resolved, reason: `${className}(…) names no model` };
    const base = resolved.keywords.get('base_url') ?? resolved.keywords.get('api_base');
    const baseUrl = base ? textOf(constantValue(base, scopes), env) : undefined;
    const named = textOf(constantValue(modelExpr, scopes), env);
    if (named === undefined) return { at: modelExpr, reason: `the model ${modelExpr.text} cannot be read statically` };
    const model = localClasses.has(className) && !localPrefixes.test(named) ? `ollama/${named}` : named;
    return {
      model,
      source: sourceOf(constantValue(modelExpr, scopes), env, at),
      local: localClasses.has(className) || isLocal(model, baseUrl),
      at: placeOf(expr, file),
    };
  }
  const value = constantValue(resolved, scopes);
  if (value.kind === 'dict') {
    const entry = value.entries.find(({ key }) => key.kind === 'string' && ['model', 'model_name', 'deployment_name'].includes(key.value));
    const named = entry ? textOf(entry.value, env) : undefined;
    return named === undefined
      ? { at: resolved, reason: 'a dict without a readable "model"' }
      : { model: named, source: at, local: isLocal(named), at: placeOf(expr, file) };
  }
  const named = textOf(value, env);
  if (named === undefined) return { at: resolved, reason: value.kind === 'unknown' ? value.reason : `${expr.text} is not a model name` };
  return { model: named, source: sourceOf(value, env, at), local: isLocal(named), at: placeOf(expr, file) };
}

function placeOf(expr: PyExpr, file: string): { file: string; offset: number; length: number } {
  return { file, offset: expr.offset, length: expr.length };
}

/** A value's text with the environment read. */
function textOf(value: PyValue, env: CrewEnvironment): string | undefined {
  const resolved = resolveEnvironment(value, (name) => env.get(name));
  return resolved.kind === 'string' && resolved.value.trim() ? resolved.value.trim() : undefined;
}

/** Where an `os.getenv` value came from: the variable's origin when it is set, else the default's place. */
function sourceOf(value: PyValue, env: CrewEnvironment, at: string): string {
  return modelSourceOf(
    value,
    at,
    (name) => env.get(name),
    (name) => env.origin(name),
  );
}

/** The model of an agent without `llm`: MODEL, MODEL_NAME or OPENAI_MODEL_NAME, else CrewAI's default. */
export function defaultModel(env: CrewEnvironment, variables: readonly string[], crewaiDefault: string): ModelChoice {
  const variable = variables.find((name) => env.get(name));
  if (variable) {
    const model = env.get(variable)!.trim();
    return { model, source: `${env.origin(variable)} (${variable})`, local: isLocal(model) };
  }
  return { model: crewaiDefault, source: `CrewAI default (${crewaiDefault})`, local: false };
}
