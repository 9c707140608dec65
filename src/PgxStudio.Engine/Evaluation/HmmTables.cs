namespace PgxStudio.Engine.Evaluation;

/// <summary>jieba finalseg's HMM over the states B, M, E, S (begin, middle, end of a word, single character).</summary>
internal sealed class HmmTables
{
    public const double MinFloat = -3.14e100; // finalseg's log-probability for "never"
    public const string States = "BMES";

    public required double[] Start { get; init; }              // [state]
    public required double[,] Transition { get; init; }        // [from, to], MinFloat when absent
    public required Dictionary<char, double>[] Emission { get; init; } // [state] character → log-probability

    public static HmmTables Read(string folder)
    {
        var start = PythonDictLiteral.ReadAssignedDict(Path.Combine(folder, "prob_start.py"));
        var trans = PythonDictLiteral.ReadAssignedDict(Path.Combine(folder, "prob_trans.py"));
        var emit = PythonDictLiteral.ReadAssignedDict(Path.Combine(folder, "prob_emit.py"));

        var startP = new double[4];
        var transP = new double[4, 4];
        var emitP = new Dictionary<char, double>[4];
        for (int s = 0; s < 4; s++)
        {
            var name = States[s].ToString();
            startP[s] = start.TryGetValue(name, out var v) ? (double)v : MinFloat;
            var row = trans.TryGetValue(name, out var r) ? (Dictionary<string, object>)r : [];
            for (int t = 0; t < 4; t++)
                transP[s, t] = row.TryGetValue(States[t].ToString(), out var p) ? (double)p : MinFloat;
            emitP[s] = new Dictionary<char, double>();
            if (emit.TryGetValue(name, out var e))
                foreach (var (key, value) in (Dictionary<string, object>)e)
                    if (key.Length == 1) emitP[s][key[0]] = (double)value;
        }
        return new HmmTables { Start = startP, Transition = transP, Emission = emitP };
    }
}
