/** The Node.js major this CLI needs (package.json `engines.node`): the server uses Node 24 APIs. */
export const REQUIRED_NODE_MAJOR = 24;

/** Why this Node cannot run agentrt, or undefined when it can. */
export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const major = Number(version.replace(/^v/, "").split(".")[0]);
  if (major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `agentrt needs Node.js ${REQUIRED_NODE_MAJOR} or newer, but this is Node.js ${version} (${execPath}).\n` +
    `Install Node.js ${REQUIRED_NODE_MAJOR} (e.g. \`nvm install ${REQUIRED_NODE_MAJOR}\`, or the \`node\` package as a dev\n` +
    "dependency, which npm scripts and npx then put first on PATH) and run the command again.\n"
  );
}
