// Lexer and Pratt parser of the expression language; resolves names while it parses, so one pass
// reports syntax errors, unknown functions, fields and lookups.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "nodes.hpp"

namespace etl::mapping {
namespace {

enum class Tok {
  End,
  Number,
  String,
  Ident,
  QuotedIdent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Arrow,
  In,
  Comma,
  Dot,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  Question,
  Colon,
  Coalesce,
  And,
  Or,
  Not,
  True,
  False,
  Null,
  Error
};

struct Token {
  Tok kind = Tok::End;
  std::string text;  // identifier, decoded string, number literal, or the error message
  std::size_t offset = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}

  Token next() {
    while (m_i < m_s.size() &&
           (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
      ++m_i;
    Token t;
    t.offset = m_i;
    if (m_i >= m_s.size()) return t;
    char c = m_s[m_i];
    auto two = [&](char second) { return m_i + 1 < m_s.size() && m_s[m_i + 1] == second; };
    auto simple = [&](Tok k, std::size_t n) {
      t.kind = k;
      m_i += n;
      return t;
    };
    if (std::isdigit(static_cast<unsigned char>(c))) return number(t);
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t start = m_i;
      while (m_i < m_s.size() &&
             (std::isalnum(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '_'))
        ++m_i;
      t.text = std::string(m_s.substr(start, m_i - start));
      t.kind = t.text == "and"     ? Tok::And
               : t.text == "or"    ? Tok::Or
               : t.text == "not"   ? Tok::Not
               : t.text == "true"  ? Tok::True
               : t.text == "false" ? Tok::False
               : t.text == "null"  ? Tok::Null
               : t.text == "in"    ? Tok::In
                                   : Tok::Ident;
      return t;
    }
    switch (c) {
      case '\'':
      case '"':
        return quoted(t, c, Tok::String);
      case '`':
        return quoted(t, c, Tok::QuotedIdent);
      case '(':
        return simple(Tok::LParen, 1);
      case ')':
        return simple(Tok::RParen, 1);
      case '[':
        return simple(Tok::LBracket, 1);
      case ']':
        return simple(Tok::RBracket, 1);
      case '{':
        return simple(Tok::LBrace, 1);
      case '}':
        return simple(Tok::RBrace, 1);
      case ',':
        return simple(Tok::Comma, 1);
      case '.':
        return simple(Tok::Dot, 1);
      case '+':
        return simple(Tok::Plus, 1);
      case '-':
        return two('>') ? simple(Tok::Arrow, 2) : simple(Tok::Minus, 1);
      case '*':
        return simple(Tok::Star, 1);
      case '/':
        return simple(Tok::Slash, 1);
      case '%':
        return simple(Tok::Percent, 1);
      case ':':
        return simple(Tok::Colon, 1);
      case '?':
        return two('?') ? simple(Tok::Coalesce, 2) : simple(Tok::Question, 1);
      case '<':
        return two('=') ? simple(Tok::Le, 2) : simple(Tok::Lt, 1);
      case '>':
        return two('=') ? simple(Tok::Ge, 2) : simple(Tok::Gt, 1);
      case '!':
        return two('=') ? simple(Tok::Ne, 2) : simple(Tok::Not, 1);
      case '&':
        if (two('&')) return simple(Tok::And, 2);
        break;
      case '|':
        if (two('|')) return simple(Tok::Or, 2);
        break;
      case '=':
        if (two('=')) return simple(Tok::Eq, 2);
        t.kind = Tok::Error;
        t.text = "'=' is not an operator; compare with '=='";
        return t;
      default:
        break;
    }
    t.kind = Tok::Error;
    t.text = fmt::format("unexpected character '{}'", c);
    return t;
  }

 private:
  Token number(Token& t) {
    std::size_t start = m_i;
    while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
    if (m_i + 1 < m_s.size() && m_s[m_i] == '.' &&
        std::isdigit(static_cast<unsigned char>(m_s[m_i + 1]))) {
      ++m_i;
      while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
    }
    if (m_i < m_s.size() && (m_s[m_i] == 'e' || m_s[m_i] == 'E')) {
      std::size_t save = m_i++;
      if (m_i < m_s.size() && (m_s[m_i] == '+' || m_s[m_i] == '-')) ++m_i;
      if (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i])))
        while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i]))) ++m_i;
      else
        m_i = save;
    }
    t.kind = Tok::Number;
    t.text = std::string(m_s.substr(start, m_i - start));
    return t;
  }

  Token quoted(Token& t, char quote, Tok kind) {
    ++m_i;
    for (;;) {
      if (m_i >= m_s.size()) {
        t.kind = Tok::Error;
        t.text = kind == Tok::String ? "unterminated string literal" : "unterminated `quoted name`";
        return t;
      }
      char c = m_s[m_i++];
      if (c == quote) break;
      if (c == '\\' && m_i < m_s.size()) {
        char e = m_s[m_i++];
        switch (e) {
          case 'n':
            t.text.push_back('\n');
            break;
          case 't':
            t.text.push_back('\t');
            break;
          case 'r':
            t.text.push_back('\r');
            break;
          case '\\':
          case '\'':
          case '"':
          case '`':
            t.text.push_back(e);
            break;
          default:  // kept as written, so regular expressions read naturally: '\d+'
            t.text.push_back('\\');
            t.text.push_back(e);
        }
        continue;
      }
      t.text.push_back(c);
    }
    t.kind = kind;
    return t;
  }

  std::string_view m_s;
  std::size_t m_i = 0;
};

const char* describe(Tok k) {
  switch (k) {
    case Tok::End:
      return "the end of the expression";
    case Tok::Number:
      return "a number";
    case Tok::String:
      return "a string";
    case Tok::Ident:
    case Tok::QuotedIdent:
      return "a name";
    case Tok::RParen:
      return "')'";
    case Tok::RBracket:
      return "']'";
    case Tok::RBrace:
      return "'}'";
    case Tok::Arrow:
      return "'->'";
    case Tok::Comma:
      return "','";
    case Tok::Colon:
      return "':'";
    default:
      return "an operator";
  }
}

// Thrown to abandon one expression after a syntax error (already reported).
struct SyntaxError {};

class Parser {
 public:
  Parser(std::string_view text, const JsoncNode* node, const CompileContext& cc)
      : m_lexer(text), m_node(node), m_cc(cc) {
    m_tok = m_lexer.next();
  }

  ExprPtr parse() {
    ExprPtr e = expression(0);
    if (m_tok.kind != Tok::End)
      syntax(m_tok.offset, fmt::format("unexpected {} after the expression", describe(m_tok.kind)));
    return e;
  }
  bool failed() const { return m_failed; }

 private:
  SourcePos at(std::size_t offset) const {
    return m_node ? m_node->position_at(offset) : SourcePos{1, static_cast<int>(offset) + 1};
  }
  void error(std::size_t offset, std::string message) {
    m_failed = true;
    m_cc.error(at(offset), std::move(message));
  }
  [[noreturn]] void syntax(std::size_t offset, std::string message) {
    error(offset, std::move(message));
    throw SyntaxError{};
  }
  Token take() {
    Token t = std::move(m_tok);
    m_tok = m_lexer.next();
    if (m_tok.kind == Tok::Error) syntax(m_tok.offset, m_tok.text);
    return t;
  }
  // The kind of the token after the current one.
  Tok peek() const {
    Lexer ahead = m_lexer;
    return ahead.next().kind;
  }
  void expect(Tok k, const char* what) {
    if (m_tok.kind != k)
      syntax(m_tok.offset, fmt::format("expected {}, found {}", what, describe(m_tok.kind)));
    take();
  }

  // Expressions nest at most this deep (parentheses, operators, calls, a chain of `+` or of
  // `[0]`): evaluating, copying and freeing a tree recurses once per level, and a hostile mapping
  // must not overflow the stack. Real mappings stay far below.
  static constexpr int kMaxDepth = 500;
  // One more level at offset: inside an expression (nested), or on the spine a loop builds.
  void deeper(int spine, std::size_t offset) {
    if (m_depth + spine > kMaxDepth)
      syntax(offset, fmt::format("expression nested deeper than {} levels", kMaxDepth));
  }
  struct Nested {
    explicit Nested(Parser& p, std::size_t offset) : parser(p) {
      parser.deeper(1, offset);
      ++parser.m_depth;
    }
    ~Nested() { --parser.m_depth; }
    Nested(const Nested&) = delete;
    Nested& operator=(const Nested&) = delete;
    Parser& parser;
  };

  // Binding powers, low to high: ?: 1, ?? 2, or 3, and 4, not 5, comparison 6, + - 7, * / % 8.
  ExprPtr expression(int min_power) {
    if (m_tok.kind == Tok::Error) syntax(m_tok.offset, m_tok.text);
    Nested nested(*this, m_tok.offset);
    ExprPtr left = prefix();
    int spine = 0;
    for (;;) {
      Tok k = m_tok.kind;
      std::size_t off = m_tok.offset;
      SourcePos p = at(off);
      int power = k == Tok::Question   ? 1
                  : k == Tok::Coalesce ? 2
                  : k == Tok::Or       ? 3
                  : k == Tok::And      ? 4
                  : (k == Tok::Eq || k == Tok::Ne || k == Tok::Lt || k == Tok::Le || k == Tok::Gt ||
                     k == Tok::Ge || k == Tok::In || (k == Tok::Not && peek() == Tok::In))
                      ? 6
                  : (k == Tok::Plus || k == Tok::Minus)                      ? 7
                  : (k == Tok::Star || k == Tok::Slash || k == Tok::Percent) ? 8
                                                                             : 0;
      if (power == 0 || power <= min_power) break;  // ?: nests to the right through its branches
      deeper(++spine, off);
      take();
      if (k == Tok::Question) {
        ExprPtr a = expression(0);
        expect(Tok::Colon, "':' of the conditional");
        ExprPtr b = expression(0);
        left = std::make_unique<ConditionalExpr>(p, std::move(left), std::move(a), std::move(b),
                                                 m_cc.branch("?: true branch", p),
                                                 m_cc.branch("?: false branch", p));
        continue;
      }
      if (k == Tok::Coalesce) {
        std::vector<ExprPtr> args;
        args.push_back(std::move(left));
        args.push_back(expression(2));
        std::vector<Branch*> branches{m_cc.branch("?? left side", p),
                                      m_cc.branch("?? fallback", p)};
        left = std::make_unique<CoalesceExpr>(p, std::move(args), std::move(branches));
        continue;
      }
      if (k == Tok::In || k == Tok::Not) {  // x in list, x not in list
        if (k == Tok::Not) take();
        left = std::make_unique<InExpr>(p, k == Tok::Not, std::move(left), expression(power));
        continue;
      }
      if (k == Tok::And || k == Tok::Or) {
        left = std::make_unique<LogicExpr>(p, k == Tok::And, std::move(left), expression(power));
        continue;
      }
      ExprPtr right = expression(power);
      BinaryExpr::Op op;
      switch (k) {
        case Tok::Plus:
          op = BinaryExpr::Op::Add;
          break;
        case Tok::Minus:
          op = BinaryExpr::Op::Sub;
          break;
        case Tok::Star:
          op = BinaryExpr::Op::Mul;
          break;
        case Tok::Slash:
          op = BinaryExpr::Op::Div;
          break;
        case Tok::Percent:
          op = BinaryExpr::Op::Mod;
          break;
        case Tok::Eq:
          op = BinaryExpr::Op::Eq;
          break;
        case Tok::Ne:
          op = BinaryExpr::Op::Ne;
          break;
        case Tok::Lt:
          op = BinaryExpr::Op::Lt;
          break;
        case Tok::Le:
          op = BinaryExpr::Op::Le;
          break;
        case Tok::Gt:
          op = BinaryExpr::Op::Gt;
          break;
        default:
          op = BinaryExpr::Op::Ge;
          break;
      }
      if (power == 6 && (m_tok.kind == Tok::Eq || m_tok.kind == Tok::Ne || m_tok.kind == Tok::Lt ||
                         m_tok.kind == Tok::Le || m_tok.kind == Tok::Gt || m_tok.kind == Tok::Ge))
        syntax(m_tok.offset, "comparisons do not chain; combine them with 'and'");
      left = std::make_unique<BinaryExpr>(p, op, std::move(left), std::move(right));
    }
    return left;
  }

  ExprPtr prefix() {
    std::size_t off = m_tok.offset;
    SourcePos p = at(off);
    switch (m_tok.kind) {
      case Tok::Number: {
        Token t = take();
        try {
          auto d = Decimal::parse(t.text);
          return postfix(std::make_unique<LiteralExpr>(p, Datum::number(*d)));
        } catch (const DecimalError& e) {
          error(off, fmt::format("number {} does not fit a decimal: {}", t.text, e.what()));
          return std::make_unique<LiteralExpr>(p, Datum());
        }
      }
      case Tok::String:
        return postfix(std::make_unique<LiteralExpr>(p, Datum::string(take().text)));
      case Tok::True:
        take();
        return std::make_unique<LiteralExpr>(p, Datum::boolean(true));
      case Tok::False:
        take();
        return std::make_unique<LiteralExpr>(p, Datum::boolean(false));
      case Tok::Null:
        take();
        return std::make_unique<LiteralExpr>(p, Datum());
      case Tok::Minus:
        take();
        return std::make_unique<UnaryExpr>(p, UnaryExpr::Op::Negate, expression(8));
      case Tok::Not:
        take();
        return std::make_unique<UnaryExpr>(p, UnaryExpr::Op::Not, expression(5));
      case Tok::LParen: {
        take();
        ExprPtr e = expression(0);
        expect(Tok::RParen, "')'");
        return postfix(std::move(e));
      }
      case Tok::LBracket:
        return postfix(array_literal(p));
      case Tok::LBrace:
        return postfix(object_literal(off, p));
      case Tok::QuotedIdent:
        return postfix(field(take().text, off, p));
      case Tok::Ident: {
        Token t = take();
        if (m_tok.kind == Tok::LParen) return postfix(call(t.text, off, p));
        return postfix(field(t.text, off, p));
      }
      case Tok::End:
        syntax(off, m_node && off == 0 ? "empty expression" : "unexpected end of the expression");
      default:
        syntax(off, fmt::format("expected a value, found {}", describe(m_tok.kind)));
    }
  }

  ExprPtr postfix(ExprPtr base) {
    for (int spine = 1;; ++spine) {
      SourcePos p = at(m_tok.offset);
      if (m_tok.kind == Tok::Dot || m_tok.kind == Tok::LBracket) deeper(spine, m_tok.offset);
      if (m_tok.kind == Tok::Dot) {
        take();
        if (m_tok.kind != Tok::Ident && m_tok.kind != Tok::QuotedIdent)
          syntax(m_tok.offset,
                 fmt::format("expected a field name after '.', found {}", describe(m_tok.kind)));
        base = std::make_unique<MemberExpr>(p, std::move(base), take().text);
      } else if (m_tok.kind == Tok::LBracket) {
        take();
        ExprPtr index = expression(0);
        expect(Tok::RBracket, "']'");
        base = std::make_unique<IndexExpr>(p, std::move(base), std::move(index));
      } else {
        return base;
      }
    }
  }

  ExprPtr array_literal(SourcePos p) {
    take();  // [
    std::vector<ExprPtr> items;
    while (m_tok.kind != Tok::RBracket) {
      items.push_back(expression(0));
      if (m_tok.kind != Tok::Comma) break;
      take();
    }
    expect(Tok::RBracket, "',' or ']'");
    return std::make_unique<ArrayLiteralExpr>(p, std::move(items));
  }

  ExprPtr object_literal(std::size_t off, SourcePos p) {
    take();  // {
    std::vector<std::pair<std::string, ExprPtr>> members;
    while (m_tok.kind != Tok::RBrace) {
      if (m_tok.kind != Tok::Ident && m_tok.kind != Tok::QuotedIdent && m_tok.kind != Tok::String)
        syntax(m_tok.offset, fmt::format("expected a member name, found {}", describe(m_tok.kind)));
      std::size_t key_at = m_tok.offset;
      std::string key = take().text;
      for (const auto& m : members)
        if (m.first == key) error(key_at, fmt::format("member '{}' twice in one object", key));
      expect(Tok::Colon, "':' after the member name");
      members.emplace_back(std::move(key), expression(0));
      if (m_tok.kind != Tok::Comma) break;
      take();
    }
    (void)off;
    expect(Tok::RBrace, "',' or '}'");
    return std::make_unique<ObjectLiteralExpr>(p, std::move(members));
  }

  // x -> body, as an argument: x names each element of the array while body runs.
  ExprPtr lambda() {
    SourcePos p = at(m_tok.offset);
    std::string name = take().text;
    take();  // ->
    m_scope.push_back(name);
    ExprPtr body;
    try {
      body = expression(0);
    } catch (const SyntaxError&) {
      m_scope.pop_back();
      throw;
    }
    m_scope.pop_back();
    return std::make_unique<LambdaExpr>(p, m_scope.size(), std::move(body));
  }

  ExprPtr field(const std::string& name, std::size_t off, SourcePos p) {
    for (std::size_t i = m_scope.size(); i-- > 0;)
      if (m_scope[i] == name) return std::make_unique<VarExpr>(p, i);
    if (!m_cc.item_name.empty()) {
      if (name == m_cc.item_name) return std::make_unique<ItemExpr>(p, false);
      if (name == m_cc.item_name + "_index") return std::make_unique<ItemExpr>(p, true);
    }
    if (m_cc.known_fields) {
      const auto& known = *m_cc.known_fields;
      if (std::find(known.begin(), known.end(), name) == known.end())
        error(off, fmt::format("unknown field '{}' (not one of {}){}", name, "the mapping's fields",
                               did_you_mean(name, known)));
    } else if (m_cc.sample_fields) {
      const auto& sample = *m_cc.sample_fields;
      if (std::find(sample.begin(), sample.end(), name) == sample.end()) {
        std::string near = closest(name, sample);
        error(off, fmt::format("unknown field '{}' ({})", name,
                               near.empty() ? fmt::format("not in {}", m_cc.sample_name)
                                            : fmt::format("{} has '{}'", m_cc.sample_name, near)));
      }
    }
    if (m_cc.fields_read && std::find(m_cc.fields_read->begin(), m_cc.fields_read->end(), name) ==
                                m_cc.fields_read->end())
      m_cc.fields_read->push_back(name);
    if (m_cc.names_read &&
        std::find(m_cc.names_read->begin(), m_cc.names_read->end(), name) == m_cc.names_read->end())
      m_cc.names_read->push_back(name);
    return std::make_unique<FieldExpr>(p, name, field_use(name));
  }

  // Where the run notes whether records hold this input field; none for the output records that
  // validate and aggregate read (their names are known).
  FieldUse* field_use(const std::string& name) {
    if (!m_cc.field_uses || m_cc.known_fields) return nullptr;
    for (auto& use : *m_cc.field_uses)
      if (use.name == name) return &use;
    FieldUse& use = m_cc.field_uses->emplace_back();
    use.name = name;
    return &use;
  }

  std::vector<ExprPtr> arguments() {
    std::vector<ExprPtr> args;
    take();  // (
    if (m_tok.kind == Tok::RParen) {
      take();
      return args;
    }
    for (;;) {
      bool is_lambda = m_tok.kind == Tok::Ident && peek() == Tok::Arrow;
      args.push_back(is_lambda ? lambda() : expression(0));
      if (m_tok.kind == Tok::Comma) {
        take();
        continue;
      }
      expect(Tok::RParen, "',' or ')'");
      return args;
    }
  }

  ExprPtr call(const std::string& name, std::size_t off, SourcePos p) {
    std::vector<ExprPtr> args = arguments();
    auto arity = [&](std::size_t min, std::size_t max) {
      if (args.size() >= min && args.size() <= max) return true;
      error(off, fmt::format("{}() takes {} argument{}, got {}", name,
                             min == max        ? std::to_string(min)
                             : max == SIZE_MAX ? fmt::format("at least {}", min)
                                               : fmt::format("{} to {}", min, max),
                             max == 1 ? "" : "s", args.size()));
      return false;
    };
    if (name == "if") {
      if (!arity(3, 3)) return std::make_unique<LiteralExpr>(p, Datum());
      return std::make_unique<ConditionalExpr>(
          p, std::move(args[0]), std::move(args[1]), std::move(args[2]),
          m_cc.branch("if() true branch", p), m_cc.branch("if() false branch", p));
    }
    if (auto fn = array_function(name)) return array_call(*fn, name, std::move(args), off, p);
    for (const auto& a : args)
      if (dynamic_cast<const LambdaExpr*>(a.get()))
        error(off,
              fmt::format("{}() takes no lambda (x -> …): only {} do", name, kLambdaFunctions));
    if (name == "coalesce") {
      if (!arity(1, SIZE_MAX)) return std::make_unique<LiteralExpr>(p, Datum());
      std::vector<Branch*> branches;
      for (std::size_t i = 0; i < args.size(); ++i)
        branches.push_back(m_cc.branch(fmt::format("coalesce() argument {}", i + 1), p));
      return std::make_unique<CoalesceExpr>(p, std::move(args), std::move(branches));
    }
    const FunctionSpec* spec = find_function(name);
    if (!spec) {
      std::vector<std::string> names = function_names();
      error(off, fmt::format("unknown function '{}'{}", name, did_you_mean(name, names)));
      return std::make_unique<LiteralExpr>(p, Datum());
    }
    if (!arity(static_cast<std::size_t>(spec->min_args),
               spec->max_args < 0 ? SIZE_MAX : static_cast<std::size_t>(spec->max_args)))
      return std::make_unique<LiteralExpr>(p, Datum());
    CallSite site;
    site.spec = spec;
    site.pos = p;
    site.args = std::move(args);
    if (spec->prepare) {
      std::size_t before = m_cc.diags->size();
      spec->prepare(site, m_cc);
      if (m_cc.diags->size() != before) m_failed = true;
    }
    return std::make_unique<CallExpr>(p, std::move(site));
  }

  static constexpr const char* kLambdaFunctions = "filter, map, find, any, all, sum and sort_by";
  static std::optional<ArrayFnExpr::Fn> array_function(const std::string& name) {
    using Fn = ArrayFnExpr::Fn;
    for (Fn fn : {Fn::Filter, Fn::Map, Fn::Find, Fn::Any, Fn::All, Fn::Sum, Fn::SortBy})
      if (name == ArrayFnExpr::name(fn)) return fn;
    return std::nullopt;
  }

  // filter(array, x -> condition) and its kind: the second argument must be a lambda (sum's may
  // be left out: the sum of the array's numbers).
  ExprPtr array_call(ArrayFnExpr::Fn fn, const std::string& name, std::vector<ExprPtr> args,
                     std::size_t off, SourcePos p) {
    bool optional = fn == ArrayFnExpr::Fn::Sum;
    std::unique_ptr<LambdaExpr> lambda;
    if (args.size() == 2 && dynamic_cast<LambdaExpr*>(args[1].get()))
      lambda.reset(static_cast<LambdaExpr*>(args[1].release()));
    bool first_is_lambda = !args.empty() && dynamic_cast<const LambdaExpr*>(args[0].get());
    if (args.empty() || args.size() > 2 || first_is_lambda || (args.size() == 2 && !lambda) ||
        (args.size() == 1 && !optional)) {
      error(off, fmt::format(
                     "{}() takes an array and a lambda: {}(items, i -> {}){}", name, name,
                     fn == ArrayFnExpr::Fn::Map      ? "i.sku"
                     : fn == ArrayFnExpr::Fn::SortBy ? "i.line_no"
                     : fn == ArrayFnExpr::Fn::Sum    ? "decimal(i.row_total)"
                                                     : "i.qty > 0",
                     optional ? fmt::format(", or an array of numbers: {}(amounts)", name) : ""));
      return std::make_unique<LiteralExpr>(p, Datum());
    }
    auto out = std::make_unique<ArrayFnExpr>(p, fn, std::move(args[0]), std::move(lambda));
    out->absorb_filter();
    return out;
  }

  Lexer m_lexer;
  Token m_tok;
  std::vector<std::string> m_scope;  // lambda parameters, innermost last: a name's slot
  const JsoncNode* m_node;
  const CompileContext& m_cc;
  bool m_failed = false;
  int m_depth = 0;  // expression() calls open
};

ExprPtr compile(std::string_view text, const JsoncNode* node, const CompileContext& cc) {
  Parser parser(text, node, cc);
  try {
    ExprPtr e = parser.parse();
    return parser.failed() ? nullptr : std::move(e);
  } catch (const SyntaxError&) {
    return nullptr;
  }
}

}  // namespace

Branch* CompileContext::branch(std::string description, SourcePos pos) const {
  branches->push_back(Branch{std::move(description), pos, 0});
  return &branches->back();
}

ExprPtr compile_expression(const JsoncNode& node, const CompileContext& cc) {
  return compile(node.text, &node, cc);
}

ExprPtr compile_expression_text(const std::string& text, const CompileContext& cc) {
  return compile(text, nullptr, cc);
}

}  // namespace etl::mapping
