#pragma once
// A tool's manual page and shell completions, generated from its option definitions (the same
// ones --help prints), so they cannot drift from the tool: `etl-extract --manual` prints roff
// for man(1), `--completion bash|zsh` a completion script. The build writes them for every tool
// and `cmake --install` puts them where man, bash-completion and zsh look.
#include <CLI/CLI.hpp>
#include <string>

namespace etl::cli {

std::string man_page(CLI::App& app);
std::string bash_completion(CLI::App& app);
std::string zsh_completion(CLI::App& app);
// The options as Markdown tables, each group's after a line <!-- group: TITLE -->.
std::string options_markdown(CLI::App& app);
// --help with the descriptions wrapped at 100 columns (tool_main sets it).
void use_wrapped_help(CLI::App& app);
// --manual, --completion SHELL and --options-markdown on app (add_common_options adds them).
void add_manual_options(CLI::App& app, CLI::Option_group* g);

}  // namespace etl::cli
