// `core` and `common` map the module name 'vscode' here (see their tsconfig `paths`), so any use of
// the VS Code API in them fails to compile: they must stay runnable in plain Node and in the CLI.
export {};
