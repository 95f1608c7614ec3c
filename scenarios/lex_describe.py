"""The bot's vocabulary as a rich tree for `policy-engine scenario show`: locales, slot
types with their values, intents with their utterances, slots in priority order, prompts,
confirmation and fulfillment, and the aliases with the function each attaches."""

from __future__ import annotations

from rich.text import Text
from rich.tree import Tree

from scenarios.lex_model import Bot, BotLocale, Intent


def _label(head: str, rest: str = "", style: str = "bold") -> Text:
    text = Text(head, style=style)
    if rest:
        text.append(" " + rest, style="")
    return text


def _intent(tree: Tree, intent: Intent) -> None:
    node = tree.add(_label(intent.name, "(intent)"))
    utterances = node.add(_label("sample utterances", style="cyan"))
    for utterance in intent.utterances:
        utterances.add(Text(utterance))
    if intent.slots:
        slots = node.add(_label("slots, in priority order", style="cyan"))
        for slot in intent.slots:
            need = "required" if slot.required else "optional"
            slot_node = slots.add(_label(slot.name, f"{slot.slot_type}, {need}"))
            slot_node.add(Text(f"prompt: {slot.prompt.message} "
                               f"(asked again up to {slot.prompt.max_retries} times)"))
    if intent.confirmation is not None:
        confirm = node.add(_label("confirmation", intent.confirmation.prompt.message,
                                  style="cyan"))
        confirm.add(Text(f"on no: {intent.confirmation.declination}"))
    if intent.fulfillment_code_hook:
        node.add(_label("fulfillment", "code hook: the alias's Lambda function", "cyan"))
    elif intent.closing is not None:
        node.add(_label("closing", intent.closing, style="cyan"))


def _locale(tree: Tree, locale: BotLocale) -> None:
    node = tree.add(_label(f"locale {locale.locale_id}"))
    for slot_type in locale.slot_types:
        type_node = node.add(_label(slot_type.name,
                                    f"(custom slot type, {slot_type.resolution})"))
        for entry in slot_type.values:
            synonyms = f" (synonyms: {', '.join(entry.synonyms)})" if entry.synonyms else ""
            type_node.add(Text(entry.value + synonyms))
    for intent in locale.intents:
        _intent(node, intent)


def bot_tree(bot: Bot) -> Tree:
    tree = Tree(_label(f"Lex V2 bot {bot.name}", f"({bot.bot_id}, {bot.region})"))
    for locale in bot.locales:
        _locale(tree, locale)
    aliases = tree.add(_label("aliases"))
    for alias in bot.aliases:
        node = aliases.add(_label(alias.name, f"version {alias.bot_version}: "
                                               f"{bot.alias_arn(alias)}"))
        for locale_id, function in alias.lambda_by_locale.items():
            node.add(Text(f"{locale_id}: code hooks invoke {function}"))
        if not alias.lambda_by_locale:
            node.add(Text("no Lambda function attached"))
    return tree
