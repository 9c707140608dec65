using PgxStudio.Engine.Data;
using PgxStudio.Engine.Models;
using PgxStudio.Engine.Models.Safetensors;
using PgxStudio.Engine.Peft;
using PgxStudio.Engine.Templates;
using PgxStudio.Engine.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace PgxStudio.Engine.Training;

/// <summary>
/// The training loop: LLaMA-Factory arguments in, LLaMA-Factory outputs out. Loads the model as the run's precision
/// asks (<see cref="TrainingPrecision"/>: bf16 or fp32, fp32 master weights, a quantized QLoRA base), encodes the
/// datasets with the template, makes LoRA / freeze / full parameters trainable, and runs AdamW (each micro-batch
/// through <see cref="TrainingStep"/>: gradient checkpointing and the chunked loss) with gradient accumulation,
/// clipping and the configured schedule. The
/// <see cref="TrainingSession"/> owns logs, checkpoints and results; a stop request ends after the current update
/// with a checkpoint.
/// </summary>
public sealed class Trainer(TrainingArguments args, ITrainingObserver observer)
{
    public enum Outcome { Finished, Stopped }

    public Outcome Run(CancellationToken stop)
    {
        var modelDir = args.ModelNameOrPath ?? throw new TrainingConfigException("model_name_or_path is required.");
        random.manual_seed(args.Seed);
        var device = Native.TorchRuntime.Info.Device;
        var config = ModelConfig.Load(modelDir);
        using var model = CausalLM.Load(modelDir, names => TrainingPrecision.Storage(args, config, device, names), device);
        var tokenizer = HfTokenizer.Load(modelDir);
        var template = args.ChatTemplate(modelDir);
        var registry = DatasetRegistry.Load(args.DatasetDir);
        var data = TrainingData.Build(registry, args.DatasetNames, args.Stage, template, tokenizer,
            new SupervisedOptions { CutoffLen = args.CutoffLen, TrainOnPrompt = args.TrainOnPrompt, MaskHistory = args.MaskHistory },
            new DatasetLoadOptions { MaxSamples = args.MaxSamples, ValSize = args.ValSize, Seed = args.Seed },
            packing: args.Packing == true);
        // Continuing from adapters (LLaMA-Factory's adapter_name_or_path): the last one keeps training with its own
        // rank, alpha and targets; any before it are merged into the base first.
        var adapters = args.AdapterPaths;
        var lora = args.FinetuningType == "lora" && adapters.Count > 0
            ? LoraAdapter.ReadSettings(adapters[^1])
            : new LoraSettings(args.LoraRank, args.EffectiveLoraAlpha, args.LoraDropout, LoraSettings.ParseTargets(string.Join(",", args.LoraTargets)));
        var trainable = MakeTrainable(model, lora, adapters);
        var forwardBackward = TrainingStep.For(model, args, lora.Dropout);
        int pad = tokenizer.PadTokenId ?? template.EosTokenId(tokenizer) ?? 0;

        using var session = TrainingSession.Begin(args, data.Train.Count, observer);
        var optimizer = optim.AdamW(trainable, args.LearningRate, args.AdamBeta1, args.AdamBeta2, args.AdamEpsilon, args.WeightDecay);
        var batches = Epochs(data.Train).GetEnumerator();
        if (session.Output.ResumeFrom is { } checkpoint)
        {
            // Same weights, same optimizer moments, same position in the same seeded data order.
            CheckpointFiles.Restore(model, checkpoint.Path, args.FinetuningType == "lora");
            var state = Path.Combine(checkpoint.Path, CheckpointFiles.Optimizer);
            if (File.Exists(state)) optimizer.load_state_dict(state);
            for (long i = 0; i < (long)session.StartStep * args.GradientAccumulationSteps; i++) batches.MoveNext();
        }
        model.train();
        for (int step = session.StartStep + 1; step <= session.Plan.TotalSteps; step++)
        {
            if (stop.IsCancellationRequested)
            {
                SaveCheckpoint(session, model, optimizer, lora, step - 1);
                return Outcome.Stopped;
            }
            foreach (var group in optimizer.ParamGroups) group.LearningRate = session.LearningRateFor(step);
            double loss = 0;
            long tokens = 0;
            for (int micro = 0; micro < args.GradientAccumulationSteps && batches.MoveNext(); micro++)
            {
                using var scope = NewDisposeScope();
                using var batch = Collator.Collate(batches.Current, pad, device);
                loss += forwardBackward.Run(batch.InputIds, batch.AttentionMask, batch.Labels, 1.0 / args.GradientAccumulationSteps, step, micro)
                    / args.GradientAccumulationSteps;
                tokens += batch.AttentionMask.sum().item<long>();
            }
            double norm = args.MaxGradNorm > 0 ? nn.utils.clip_grad_norm_(trainable, args.MaxGradNorm) : 0;
            optimizer.step();
            optimizer.zero_grad();
            session.RecordStep(step, loss, tokens, norm);
            if (data.Validation.Count > 0 && (session.ShouldEvaluate(step) || step == session.Plan.TotalSteps))
                session.RecordEval(step, EvaluationLoss(model, data.Validation, pad, device));
            if (session.ShouldSave(step) && step < session.Plan.TotalSteps) SaveCheckpoint(session, model, optimizer, lora, step);
        }
        SaveWeights(model, lora, modelDir, session.OutputDir);
        session.Finish(PeakMemory.ProcessPeakBytes());
        return Outcome.Finished;

        IEnumerable<IReadOnlyList<EncodedExample>> Epochs(IReadOnlyList<EncodedExample> examples)
        {
            for (int epoch = 0; ; epoch++)
                foreach (var b in TrainingData.Batches(examples, args.PerDeviceTrainBatchSize, args.Seed + epoch)) yield return b;
        }
    }

    /// <summary>lora: only the adapters; freeze: the chosen layers and modules; full: everything. Returns what trains.</summary>
    List<TorchSharp.Modules.Parameter> MakeTrainable(CausalLM model, LoraSettings lora, IReadOnlyList<string> adapters)
    {
        foreach (var p in model.parameters()) p.requires_grad = false;
        switch (args.FinetuningType)
        {
            case "lora" when adapters.Count > 0:
                foreach (var merged in adapters.Take(adapters.Count - 1)) LoraAdapter.Apply(model, merged, merge: true);
                LoraAdapter.Apply(model, adapters[^1], merge: false);
                break;
            case "lora":
                LoraAdapter.Attach(model, lora, args.Seed);
                break;
            case "freeze":
                var named = model.named_parameters().ToList();
                var trainable = FreezeSelection.Trainable(named.Select(p => p.name).ToList(), args);
                foreach (var (name, p) in named)
                    if (trainable.Contains(name)) p.requires_grad = true;
                break;
            default:
                foreach (var p in model.parameters()) p.requires_grad = true;
                break;
        }
        return model.parameters().Where(p => p.requires_grad).ToList();
    }

    /// <summary>Mean loss over the validation examples, without gradients; the model goes back to training mode.</summary>
    double EvaluationLoss(CausalLM model, IReadOnlyList<EncodedExample> validation, int pad, Device device)
    {
        model.eval();
        double total = 0;
        int batches = 0;
        using (no_grad())
            foreach (var chunk in TrainingData.Batches(validation, Math.Max(1, args.PerDeviceEvalBatchSize)))
            {
                using var scope = NewDisposeScope();
                using var batch = Collator.Collate(chunk, pad, device);
                total += ChunkedNextTokenLoss.Value(model.Hidden(batch.InputIds, batch.AttentionMask), model.HeadWeight, batch.Labels,
                    ChunkedNextTokenLoss.ChunkFor(model.Config.VocabSize));
                batches++;
            }
        model.train();
        return total / Math.Max(1, batches);
    }

    void SaveCheckpoint(TrainingSession session, CausalLM model, TorchSharp.Modules.AdamW optimizer, LoraSettings lora, int step)
    {
        if (step <= session.StartStep) return;
        var temp = Directory.CreateTempSubdirectory("pgx-ckpt-").FullName;
        try
        {
            SaveWeights(model, lora, args.ModelNameOrPath!, temp);
            optimizer.save_state_dict(Path.Combine(temp, CheckpointFiles.Optimizer));
            var files = Directory.GetFiles(temp).ToDictionary(f => Path.GetFileName(f), f => (Action<Stream>)(s => { using var src = File.OpenRead(f); src.CopyTo(s); }));
            session.SaveCheckpoint(step, new RngState(args.Seed, 0, 0), files!);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    /// <summary>A PEFT adapter for LoRA; for freeze/full the whole model as a Hugging Face folder.</summary>
    void SaveWeights(CausalLM model, LoraSettings lora, string modelDir, string outputDir)
    {
        Directory.CreateDirectory(outputDir);
        if (args.FinetuningType == "lora")
        {
            LoraAdapter.Save(model, lora, modelDir, outputDir);
            return;
        }
        SafetensorsWriter.WriteSharded(outputDir, model.StateTensors().ToList(), 5L * 1024 * 1024 * 1024);
        foreach (var file in new[] { "config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json" })
            if (File.Exists(Path.Combine(modelDir, file))) File.Copy(Path.Combine(modelDir, file), Path.Combine(outputDir, file), overwrite: true);
    }
}
