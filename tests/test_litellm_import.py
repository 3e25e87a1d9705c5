from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from switchex.cli.main import cli
from switchex.config import parse_config
from switchex.errors import ConfigError
from switchex.litellm_import import from_litellm

SEED = """
model_list:
  - model_name: claude-sonnet
    litellm_params:
      model: anthropic/claude-sonnet-4-5
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: local-qwen
    litellm_params:
      model: ollama_chat/qwen2.5-coder:7b
      api_base: http://localhost:11434
  - model_name: gemini-flash
    litellm_params:
      model: gemini/gemini-2.5-flash
      api_key: os.environ/GEMINI_API_KEY
  - model_name: deepseek-r1
    litellm_params:
      model: openrouter/deepseek/deepseek-r1
      api_key: os.environ/OPENROUTER_API_KEY
router_settings:
  fallbacks: [{"claude-sonnet": ["gemini-flash", "deepseek-r1", "local-qwen"]}]
"""


def test_seed_config_becomes_the_same_chain() -> None:
    data = from_litellm(yaml.safe_load(SEED))
    assert [t["name"] for t in data["tiers"]] == [
        "claude-sonnet",
        "gemini-flash",
        "deepseek-r1",
        "local-qwen",
    ]
    claude, gemini, deepseek, local = data["tiers"]
    assert (claude["provider"], claude["api_key"]) == ("anthropic", "${ANTHROPIC_API_KEY}")
    assert (gemini["provider"], gemini["models"]) == ("gemini", {"default": "gemini-2.5-flash"})
    assert deepseek["base_url"] == "https://openrouter.ai/api/v1"
    assert deepseek["models"] == {"default": "deepseek/deepseek-r1"}
    assert local["base_url"] == "http://localhost:11434/v1"
    config = parse_config(data, {"GEMINI_API_KEY": "g"}, "imported")
    assert [t.name for t in config.active_tiers] == ["claude-sonnet", "gemini-flash", "local-qwen"]


def test_literal_keys_are_refused_not_copied() -> None:
    literal = {
        "model_list": [
            {
                "model_name": "x",
                "litellm_params": {"model": "openai/gpt-4o", "api_key": "sk-literal"},
            }
        ]
    }
    with pytest.raises(ConfigError, match="environment variable"):
        from_litellm(literal)


def test_unknown_provider_is_named() -> None:
    odd = {"model_list": [{"model_name": "x", "litellm_params": {"model": "sagemaker/claude"}}]}
    with pytest.raises(ConfigError, match="'sagemaker'"):
        from_litellm(odd)


def test_cli_prints_a_loadable_switchex_yaml(tmp_path: Path) -> None:
    source = tmp_path / "litellm_config.yaml"
    source.write_text(SEED)
    result = CliRunner().invoke(cli, ["config", "import-litellm", str(source)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "switchex.yaml"
    target.write_text(result.output)
    check = CliRunner().invoke(
        cli, ["config", "check", "--config", str(target)], env={"COLUMNS": "200"}
    )
    assert check.exit_code == 0, check.output
    assert "claude-sonnet" in check.output and "local-qwen" in check.output


CLOUDS = """
model_list:
  - model_name: claude-vertex
    litellm_params:
      model: vertex_ai/claude-sonnet-4-5@20250929
      vertex_project: os.environ/GCP_PROJECT
      vertex_location: us-east5
  - model_name: claude-bedrock
    litellm_params:
      model: bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0
      aws_region_name: us-west-2
      aws_profile_name: work
  - model_name: claude-invoke
    litellm_params:
      model: bedrock/invoke/anthropic.claude-haiku-4-5-20251001-v1:0
  - model_name: gemini-vertex
    litellm_params:
      model: vertex_ai/gemini-2.5-pro
"""


def test_claude_on_the_clouds_becomes_vertex_and_bedrock_tiers() -> None:
    vertex, bedrock, invoke, gemini = from_litellm(yaml.safe_load(CLOUDS))["tiers"]
    assert vertex == {
        "name": "claude-vertex",
        "provider": "vertex",
        "models": {"default": "claude-sonnet-4-5@20250929"},
        "project": "${GCP_PROJECT}",
        "region": "us-east5",
    }
    assert bedrock == {
        "name": "claude-bedrock",
        "provider": "bedrock",
        "models": {"default": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
        "region": "us-west-2",
        "profile": "work",
    }
    assert invoke["models"] == {"default": "anthropic.claude-haiku-4-5-20251001-v1:0"}
    assert gemini["provider"] == "gemini"
    config = parse_config({"tiers": [vertex, bedrock]}, {"GCP_PROJECT": "p1"}, "imported")
    assert [(t.provider, t.project, t.region) for t in config.active_tiers] == [
        ("vertex", "p1", "us-east5"),
        ("bedrock", None, "us-west-2"),
    ]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"model": "bedrock/amazon.nova-pro-v1:0"}, "only Claude models on Bedrock"),
        (
            {"model": "bedrock/anthropic.claude-x", "aws_secret_access_key": "os.environ/S"},
            "aws_secret_access_key",
        ),
        ({"model": "vertex_ai/claude-x", "vertex_credentials": "/k.json"}, "vertex_credentials"),
    ],
)
def test_cloud_entries_switchex_cannot_serve_as_written_are_named(
    params: dict[str, str], match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        from_litellm({"model_list": [{"model_name": "x", "litellm_params": params}]})
