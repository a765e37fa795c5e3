/**
 * Just enough POSIX shell parsing to read container commands and healthcheck probes:
 * words with quotes removed, and control operators as separate tokens.
 */
export interface Token {
  readonly text: string;
  /** True for `|`, `||`, `&`, `&&`, `;`, `(`, `)`, newline and backticks. */
  readonly op: boolean;
  /** True if any part of the word was quoted (so `$X` inside it was not split). */
  readonly quoted: boolean;
}

const OP_CHARS = new Set(["|", "&", ";", "(", ")", "\n", "`"]);

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let word = "";
  let inWord = false;
  let quoted = false;
  const flush = (): void => {
    if (inWord) {
      tokens.push({ text: word, op: false, quoted });
    }
    word = "";
    inWord = false;
    quoted = false;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      const stop = end < 0 ? text.length : end;
      word += text.slice(i + 1, stop);
      inWord = true;
      quoted = true;
      i = stop + 1;
    } else if (c === '"') {
      let j = i + 1;
      let depth = 0;
      while (j < text.length) {
        const d = text[j] as string;
        if (d === "\\" && j + 1 < text.length) {
          word += text[j + 1];
          j += 2;
          continue;
        }
        if (d === "$" && text[j + 1] === "(") {
          depth++;
        } else if (d === ")" && depth > 0) {
          depth--;
        } else if (d === '"' && depth === 0) {
          break;
        }
        word += d;
        j++;
      }
      inWord = true;
      quoted = true;
      i = j + 1;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "$" && text[i + 1] === "(") {
      // Command substitution stays one word: `$(cat /run/secret)`.
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === "(") {
          depth++;
        } else if (text[j] === ")") {
          depth--;
          if (depth === 0) {
            break;
          }
        }
      }
      word += text.slice(i, j + 1);
      inWord = true;
      i = j + 1;
    } else if (OP_CHARS.has(c)) {
      flush();
      const two = text.slice(i, i + 2);
      const op = two === "||" || two === "&&" ? two : c;
      tokens.push({ text: op, op: true, quoted: false });
      i += op.length;
    } else if (/\s/.test(c)) {
      flush();
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return tokens;
}

/** Words of the first simple command in `tokens` (up to the first operator). */
export function firstCommand(tokens: readonly Token[]): string[] {
  const words: string[] = [];
  for (const t of tokens) {
    if (t.op) {
      break;
    }
    words.push(t.text);
  }
  return words;
}

export function basename(path: string): string {
  return path.split("/").pop() ?? path;
}

const SHELLS = new Set(["sh", "bash", "ash", "dash", "zsh"]);

/**
 * Turns an exec-form argv into shell text when it is `sh -c "<script>"`, so callers can treat
 * both forms alike. Returns undefined for a plain exec argv.
 */
export function shellScript(argv: readonly string[]): string | undefined {
  const [cmd, flag, script] = argv;
  if (
    cmd !== undefined &&
    SHELLS.has(basename(cmd)) &&
    flag !== undefined &&
    /^-\w*c\w*$/.test(flag)
  ) {
    return script ?? "";
  }
  return undefined;
}

/** A `redis-cli`/`valkey-cli` invocation: its own options and the Redis command it sends. */
export interface CliInvocation {
  readonly cli: string;
  readonly args: readonly string[];
  /** Lower-cased Redis command (`ping`, `incr`…), or undefined for an interactive session. */
  readonly command?: string;
  readonly commandArgs: readonly string[];
  readonly options: ReadonlyMap<string, string | true>;
}

const CLI_OPTS_WITH_VALUE = new Set([
  "-h",
  "-p",
  "-s",
  "-a",
  "-u",
  "-r",
  "-i",
  "-n",
  "-d",
  "-D",
  "-X",
  "--user",
  "--pass",
  "--cacert",
  "--cacertdir",
  "--cert",
  "--key",
  "--tls-ciphers",
  "--tls-ciphersuites",
  "--sni",
  "--pipe-timeout",
  "--eval",
  "--pattern",
  "--count",
  "--quoted-pattern",
  "--memkeys-samples",
  "--show-pushes",
  "--functions-rdb",
  "--replica",
  "--rdb",
  "--cluster",
]);

function parseCliArgs(cli: string, args: readonly string[]): CliInvocation {
  const options = new Map<string, string | true>();
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    if (!a.startsWith("-") || a === "-") {
      break;
    }
    if (CLI_OPTS_WITH_VALUE.has(a)) {
      options.set(a, args[i + 1] ?? "");
      i += 2;
    } else {
      options.set(a, true);
      i++;
    }
  }
  const command = args[i]?.toLowerCase();
  return { cli, args, command, commandArgs: args.slice(i + 1), options };
}

const CLI_RE = /(?:^|[\s;&|(`"'=/])((?:redis|valkey|keydb)-cli)(?=$|[\s;&|)`"'])/g;

/** Every redis-cli/valkey-cli invocation in a shell script. */
export function cliInvocationsInScript(script: string): CliInvocation[] {
  const found: CliInvocation[] = [];
  for (const m of script.matchAll(CLI_RE)) {
    const start = (m.index ?? 0) + m[0].length;
    const words = firstCommand(tokenize(script.slice(start)));
    found.push(parseCliArgs(m[1] as string, words));
  }
  return found;
}

/** Every redis-cli/valkey-cli invocation in an exec-form argv (or its `sh -c` script). */
export function cliInvocationsInArgv(argv: readonly string[]): CliInvocation[] {
  const script = shellScript(argv);
  if (script !== undefined) {
    return cliInvocationsInScript(script);
  }
  const found: CliInvocation[] = [];
  argv.forEach((a, i) => {
    if (/^(redis|valkey|keydb)-cli$/.test(basename(a))) {
      found.push(parseCliArgs(basename(a), argv.slice(i + 1)));
    }
  });
  return found;
}
