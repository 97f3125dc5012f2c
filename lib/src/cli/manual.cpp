#include "etl/cli/manual.hpp"

#include <fmt/format.h>

#include <iostream>
#include <vector>

namespace etl::cli {
namespace {

const char* kTools[] = {"etl-extract", "etl-transform", "etl-load",
                        "etl-diff",    "etl-correlate", "etl-migrate"};

struct Section {
  std::string title;
  std::vector<const CLI::Option*> options;
};

// The tool's options: its own, then each option group's (HTTP sources …), without --help.
std::vector<Section> sections(CLI::App& app) {
  std::vector<Section> out{{"OPTIONS", {}}};
  for (const CLI::Option* o : app.get_options())
    if (!o->get_positional() && o->get_name() != "--help") out[0].options.push_back(o);
  for (CLI::App* group : app.get_subcommands({})) {
    if (!group->get_name().empty()) continue;
    Section s{group->get_group(), {}};
    for (const CLI::Option* o : group->get_options())
      if (!o->get_positional() && o->get_name() != "--help") s.options.push_back(o);
    if (!s.options.empty()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<const CLI::Option*> positionals(CLI::App& app) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : app.get_options())
    if (o->get_positional()) out.push_back(o);
  return out;
}

// Text for roff: backslashes escaped, a line that starts with . or ' made plain text.
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out.push_back(c);
    line_start = c == '\n';
  }
  return out;
}

bool takes_value(const CLI::Option* o) {
  return o->get_expected_max() > 0;  // a flag expects none
}

// The value an option takes, as --help shows it ("FILE", "TEXT:{text,json}"), or empty.
std::string value_label(const CLI::Option* o) {
  if (!o->get_option_text().empty()) return o->get_option_text();
  if (!takes_value(o)) return "";
  return o->get_type_name().empty() ? "VALUE" : o->get_type_name();
}

// {a,b,c} in the value's label: the choices a check allows.
std::vector<std::string> choices(const CLI::Option* o) {
  std::string label = value_label(o);
  auto open = label.find('{'), close = label.find('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string list = label.substr(open + 1, close - open - 1);
  for (std::size_t at = 0; at <= list.size();) {
    auto comma = list.find(',', at);
    if (comma == std::string::npos) comma = list.size();
    out.push_back(list.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

std::vector<std::string> names(const CLI::Option* o) {
  std::vector<std::string> out;
  for (const auto& s : o->get_snames()) out.push_back("-" + s);
  for (const auto& l : o->get_lnames()) out.push_back("--" + l);
  return out;
}

std::string first_sentence(const std::string& text) {
  auto end = text.find(". ");
  std::string s = text.substr(0, end);
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

// The value as README.md shows it: the choices ({insert,upsert}), or the name before any
// check's (UINT:POSITIVE is UINT).
std::string markdown_label(const CLI::Option* o) {
  std::string label = value_label(o);
  if (auto open = label.find('{'); open != std::string::npos)
    return label.substr(open, label.find('}', open) + 1 - open);
  return label.substr(0, label.find(':'));
}

}  // namespace

// --help with each option's description wrapped to the width of a terminal, under its name.
class WrappedHelp : public CLI::Formatter {
 public:
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    constexpr std::size_t kIndent = 30, kWidth = 100;
    std::string name = make_option_name(opt, is_positional) + make_option_opts(opt);
    std::string out = "  " + name;
    std::size_t column = out.size();
    if (column + 1 >= kIndent) {
      out += "\n";
      column = 0;
    }
    std::string word;
    std::string desc = make_option_desc(opt);
    auto put = [&](const std::string& w) {
      if (column < kIndent) {
        out.append(kIndent - column, ' ');
        column = kIndent;
      } else if (column + 1 + w.size() > kWidth) {
        out += "\n" + std::string(kIndent, ' ');
        column = kIndent;
      } else {
        out += ' ';
        ++column;
      }
      out += w;
      column += w.size();
    };
    for (char c : desc + " ") {
      if (c != ' ') {
        word += c;
      } else if (!word.empty()) {
        put(word);
        word.clear();
      }
    }
    return out + "\n";
  }
};

void use_wrapped_help(CLI::App& app) {
  app.formatter(std::make_shared<WrappedHelp>());
}

std::string options_markdown(CLI::App& app) {
  std::string out;
  for (const Section& s : sections(app)) {
    out += "<!-- group: " + s.title + " -->\n| option | meaning |\n| --- | --- |\n";
    for (const CLI::Option* o : s.options) {
      std::string label = markdown_label(o), text;
      for (char c : o->get_description()) text += c == '|' ? std::string("\\|") : std::string(1, c);
      std::string defaulted = o->get_default_str();
      if (!defaulted.empty() && text.find("default") == std::string::npos)
        text += " (default " + defaulted + ")";
      out += fmt::format("| `{}{}` | {} |\n", fmt::join(names(o), ", "),
                         label.empty() ? "" : " " + label, text);
    }
  }
  return out;
}

std::string man_page(CLI::App& app) {
  const std::string tool = app.get_name();
  std::string upper = tool;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string out =
      fmt::format(".TH {} 1 \"\" \"etlkit {}\" \"etlkit manual\"\n", upper, ETL_VERSION);
  out += ".SH NAME\n" + roff(tool) + " \\- " + roff(first_sentence(app.get_description())) + "\n";
  out += ".SH SYNOPSIS\n.B " + roff(tool) + "\n[OPTIONS]";
  for (const CLI::Option* p : positionals(app))
    out += " " + roff(p->get_name(true, false)) + (p->get_required() ? "" : "...");
  out += "\n.SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
  for (const CLI::Option* p : positionals(app))
    out += ".TP\n.B " + roff(p->get_name(true, false)) + "\n" + roff(p->get_description()) + "\n";
  for (const Section& s : sections(app)) {
    out += ".SH " + roff(s.title == "OPTIONS" ? s.title : "OPTIONS: " + s.title) + "\n";
    for (const CLI::Option* o : s.options) {
      std::string label = value_label(o);
      out += ".TP\n.B " + roff(fmt::format("{}", fmt::join(names(o), ", "))) +
             (label.empty() ? "" : " \\fI" + roff(label) + "\\fR") + "\n" +
             roff(o->get_description()) + "\n";
    }
  }
  out +=
      ".SH EXIT STATUS\n0 success; 1 checks failed (etl\\-transform \\-\\-check/\\-\\-test) or the "
      "sets differ (etl\\-diff); 2 usage or mapping error; 3 data errors (more than "
      "\\-\\-max\\-errors rejects, input that cannot be read on); 4 I/O failure; 130 and 143 "
      "after SIGINT and SIGTERM.\n";
  std::string footer = app.get_footer();
  if (auto at = footer.find("Example"); at != std::string::npos) {  // "Example(s):\n  …"
    auto start = footer.find('\n', at);
    if (start != std::string::npos)
      out += ".SH EXAMPLES\n.nf\n" + roff(footer.substr(start + 1)) + "\n.fi\n";
  }
  out += ".SH SEE ALSO\n.BR etl (1)";
  for (const char* t : kTools)
    if (tool != t) out += fmt::format(",\n.BR {} (1)", roff(t));
  return out + "\n";
}

std::string bash_completion(CLI::App& app) {
  std::string fn = "_" + app.get_name();
  for (char& c : fn)
    if (c == '-') c = '_';
  std::string all, with_value, cases;
  for (const Section& s : sections(app))
    for (const CLI::Option* o : s.options) {
      for (const auto& n : names(o)) all += (all.empty() ? "" : " ") + n;
      if (!takes_value(o)) continue;
      std::string pattern = fmt::format("{}", fmt::join(names(o), "|"));
      std::vector<std::string> c = choices(o);
      if (!c.empty())
        cases += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")); return ;;\n",
                             pattern, fmt::join(c, " "));
      else
        with_value += (with_value.empty() ? "" : "|") + pattern;
    }
  if (!with_value.empty())
    cases += "    " + with_value + ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  return fmt::format(
      "# bash completion for {0} (generated: {0} --completion bash)\n"
      "{1}() {{\n"
      "  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}\n"
      "  case $prev in\n{2}  esac\n"
      "  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W \"{3}\" -- \"$cur\")); return; fi\n"
      "  COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "}}\n"
      "complete -o filenames -F {1} {0}\n",
      app.get_name(), fn, cases, all);
}

std::string zsh_completion(CLI::App& app) {
  auto quote = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (c == '\'')
        out += "'\\''";
      else if (c == '[' || c == ']' || c == ':')
        out += std::string("\\") + c;
      else if (c != '\n')
        out.push_back(c);
    }
    return out;
  };
  std::string out = fmt::format(
      "#compdef {0}\n# zsh completion for {0} (generated: {0} --completion zsh)\n_arguments -s "
      "\\\n",
      app.get_name());
  for (const Section& s : sections(app))
    for (const CLI::Option* o : s.options) {
      std::vector<std::string> n = names(o);
      std::string desc = quote(first_sentence(o->get_description()));
      std::string value;
      if (takes_value(o)) {
        std::vector<std::string> c = choices(o);
        value = c.empty() ? ":value:_files" : fmt::format(":value:({})", fmt::join(c, " "));
      }
      std::string repeat = o->get_expected_max() > 1 ||
                                   o->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll
                               ? "*"
                               : "";
      if (n.size() == 1)
        out += fmt::format("  '{}{}[{}]{}' \\\n", repeat, n[0], desc, value);
      else
        out += fmt::format("  '({})'{}{{{}}}'[{}]{}' \\\n", fmt::join(n, " "), repeat,
                           fmt::join(n, ","), desc, value);
    }
  return out + "  '*:file:_files'\n";
}

void add_manual_options(CLI::App& app, CLI::Option_group* g) {
  g->add_flag_callback(
      "--manual",
      [&app] {
        std::cout << man_page(app);
        throw CLI::Success();
      },
      "Print this tool's manual page (roff, for man), then exit");
  g->add_option_function<std::string>(
       "--completion",
       [&app](const std::string& shell) {
         std::cout << (shell == "zsh" ? zsh_completion(app) : bash_completion(app));
         throw CLI::Success();
       },
       "Print a completion script for bash or zsh, then exit")
      ->check(CLI::IsMember({"bash", "zsh"}));
  g->add_flag_callback(
      "--options-markdown",
      [&app] {
        std::cout << options_markdown(app);
        throw CLI::Success();
      },
      "Print this tool's options as Markdown tables, one per group (README.md's tables are "
      "these: scripts/readme-options), then exit");
}

}  // namespace etl::cli
