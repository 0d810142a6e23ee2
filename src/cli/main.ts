// The stepsize command line: train, sweep, scenario, lr-range, eval, sample, bench. Each command
// prints its result on stdout; any failure is one line on stderr and a non-zero exit status; Ctrl-C
// or SIGTERM stops the run in progress with a checkpoint and exits with 130 or 143.

import { Command, Option } from 'commander';
import type { NodeBackend } from '../node/gpu';
import { benchCommand } from './bench';
import { fail } from './common';
import { installInterrupts, interruptExitCode } from './interrupt';
import { evalCommand } from './eval';
import { RANGE_STEPS } from '../experiments/lr-range';
import { lrRangeCommand } from './lr-range';
import { mergeCommand } from './merge';
import { listScenarios, scenarioCommand } from './scenario';
import { sweepCommand } from './sweep';
import { sampleCommand } from './sample';
import { trainCommand } from './train';

const program = new Command();
const gpuOption = () => new Option('--gpu <backend>', 'auto: a GPU if one answers, else SwiftShader; gpu; swiftshader').choices(['auto', 'gpu', 'swiftshader']).default('auto');

program.name('stepsize').description('Train and fine-tune a small byte-level GPT with hand-written WebGPU kernels.').showHelpAfterError();

program
  .command('train')
  .description('train from a YAML or JSON config, or continue a stopped or interrupted run; keeps run.json, metrics.csv, checkpoint/ and the weights in output_dir')
  .option('--config <file>', 'config file (a new run; with --resume, it must match the run)')
  .option('--resume <dir>', "continue the run in DIR (an earlier run's output_dir) from its latest checkpoint")
  .option('--set <key=value>', 'override a config key (YAML value), repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
  .addOption(gpuOption())
  .option('--quiet', 'no progress bar')
  .action((o: { config?: string; resume?: string; set: string[]; gpu: NodeBackend; quiet?: boolean }) => trainCommand(o));

const setOption = () => new Option('--set <key=value>', 'override a config key (YAML value), repeatable').argParser((v: string, all: string[] = []) => [...all, v]).default([]);

program
  .command('sweep')
  .description('train the product of a sweep: block (learning_rate, batch_size, lora_rank, seed lists; lr_scaling, reference_batch_size; together), compatible runs side by side; writes each run, summary.csv, groups.csv (seeds folded) and check.txt (the verdict) into output_dir')
  .option('--config <file>', 'config file with a sweep: block')
  .option('--resume <dir>', 'continue the sweep in DIR: keep the runs that ended, resume the interrupted one, train the rest')
  .addOption(setOption())
  .option('--target <loss>', 'a validation loss: groups.csv gives the tokens each group needed to reach it', (v) => Number(v))
  .option('--shard <I/N>', 'train only the I-th of N slices of the runs (runs I, I+N, …) into output_dir/shard-I-of-N; merge them with `merge`')
  .option('--together <k>', "runs trained side by side in one step program: auto (as many as fit) or 1-8 (1: one after another); overrides the sweep block's together")
  .addOption(gpuOption())
  .option('--quiet', 'no progress bars')
  .action((o) => sweepCommand(o));

program
  .command('merge')
  .description("put runs trained anywhere (sweep shards, copied run directories) back together: summary.csv, groups.csv and check.txt over all of them")
  .argument('<dirs...>', 'sweep directories, shard directories or run directories (each holding run.json)')
  .requiredOption('--out <dir>', 'where summary.csv, groups.csv and check.txt go')
  .option('--target <loss>', 'a validation loss: groups.csv gives the tokens each group needed to reach it', (v) => Number(v))
  .action((dirs: string[], o) => mergeCommand(dirs, o));

program
  .command('scenario')
  .description('run a classroom scenario (1-10) and print what its runs showed; --list lists them')
  .argument('[n]', 'scenario number')
  .option('--list', 'list the scenarios')
  .addOption(new Option('--size <model>', 'classroom (default on a GPU), tiny (default without one), or gpt2 (scenarios 1 and 8 with the rules\' numbers on the GPT-2 directory --base)').choices(['classroom', 'tiny', 'gpt2']))
  .option('--steps-scale <f>', 'multiply every step count (default 1)', (v) => Number(v))
  .option('--seeds <k>', 'repeat every run with seeds 1..K, so the check can tell a real difference from seed noise (default 1)', (v) => Number(v))
  .option('--print-plan', "print the runs' configs as JSON and exit, without a GPU (--size picks the tier; default tiny)")
  .option('--base <path>', 'base model.safetensors, or a GPT-2 directory with --size gpt2 (default: the shipped tiny base, or runs/base-classroom, pretrained if missing)')
  .option('--out <dir>', 'output directory (default runs/scenario-N)')
  .option('--resume <dir>', 'continue the scenario in DIR: keep the runs that ended, resume the interrupted one, train the rest')
  .option('--together <k>', 'runs trained side by side in one step program: auto (default: as many as fit) or 1-8 (1: one after another)')
  .addOption(gpuOption())
  .option('--quiet', 'no progress bars')
  .action((n: string | undefined, o) => (o.list || (n === undefined && !o.resume) ? listScenarios() : scenarioCommand(n, o)));

program
  .command('lr-range')
  .description("learning-rate range test: ramp the rate from 1e-7 to 1 on the config's model and data, and suggest a rate")
  .requiredOption('--config <file>', 'config file')
  .addOption(setOption())
  .option('--steps <n>', 'steps of the ramp', (v) => Number(v), RANGE_STEPS)
  .addOption(gpuOption())
  .option('--quiet', 'no progress bar')
  .action((o) => lrRangeCommand(o));

program
  .command('eval')
  .description('mean cross-entropy of a text under a model, nats per token and bits per byte: prints {"loss": L, "tokens": N, "bits_per_byte": B}')
  .requiredOption('--model <path>', 'a Stepsize model.safetensors, or a GPT-2 directory (config.json, model.safetensors, tokenizer.json)')
  .option('--adapter <dir>', 'a LoRA adapter directory (adapter_model.safetensors + adapter_config.json)')
  .requiredOption('--text <file>', 'UTF-8 text file')
  .option('--batch <n>', 'windows per forward pass', (v) => Number(v), 8)
  .option('--block-size <n>', "tokens per window (default: the model's context; 128 for GPT-2)", (v) => Number(v))
  .addOption(gpuOption())
  .action((o) => evalCommand(o));

program
  .command('sample')
  .description('generate text from a model')
  .requiredOption('--model <path>', 'a Stepsize model.safetensors, or a GPT-2 directory (config.json, model.safetensors, tokenizer.json)')
  .option('--adapter <dir>', 'a LoRA adapter directory')
  .requiredOption('--prompt <text>', 'text to continue')
  .option('--length <n>', 'tokens to generate (bytes for a byte-level model)', (v) => Number(v), 200)
  .option('--temperature <t>', 'sampling temperature', (v) => Number(v), 0.8)
  .option('--top-k <k>', 'sample among the k likeliest tokens (0: all)', (v) => Number(v), 40)
  .option('--block-size <n>', "tokens the model sees (default: the model's context; 128 for GPT-2)", (v) => Number(v))
  .option('--seed <n>', 'sampling seed', (v) => Number(v), 1)
  .addOption(gpuOption())
  .action((o) => sampleCommand(o));

program
  .command('bench')
  .description('time training steps; one JSON line per workload, mode and run count')
  .option('--workload <names>', 'tiny, classroom, nanogpt, gpt2 (comma-separated; gpt2: GPT-2 small, batch 4, context 128)', 'tiny,classroom')
  .option('--mode <modes>', 'full, lora (comma-separated)', 'full,lora')
  .option('--steps <n>', 'timed steps', (v) => Number(v), 10)
  .option('--warmup <n>', 'untimed steps first', (v) => Number(v), 3)
  .option('--batch <n>', "sequences per step (default: the workload's, as torch_ref.py runs it)", (v) => Number(v))
  .option('--runs <counts>', 'runs trained side by side in one step program, e.g. 1,2,4,8 (one line each)', '1')
  .option('--profile', 'also print a per-kernel GPU time table (timestamp queries) on stderr')
  .addOption(gpuOption())
  .action((o) => benchCommand(o));

installInterrupts();
program.parseAsync(process.argv).then(
  () => process.exit(interruptExitCode() ?? process.exitCode ?? 0),
  (e) => fail(e),
);
